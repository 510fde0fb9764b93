/** The context both Jinja2-compared tables render against (the same one Python Jinja2 3.1.6 printed them with). */
export const jinjaContext = {
  n: 2,
  f: 1.5,
  s: "hello",
  nothing: null,
  lst: [1, 2, 3],
  d: { a: 1, nested: { x: "X" }, items: "key-items", keys: "key-keys" },
  users: [
    { name: "bob", age: 31, active: true },
    { name: "alice", age: 25, active: false },
    { name: "carl", active: true },
  ],
};
