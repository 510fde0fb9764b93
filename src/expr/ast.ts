/** The expression syntax tree. `offset` is where the node starts in the whole source. */
export type Node =
  | { kind: "literal"; value: unknown; offset: number }
  | { kind: "name"; name: string; offset: number }
  /** `a.b`, `a.0`, `a['b']`, `a[0]`: access with a key known at compile time. */
  | { kind: "attr"; target: Node; key: string | number; offset: number; bracket?: boolean }
  /** `a[expr]` with a computed key. */
  | { kind: "item"; target: Node; key: Node; offset: number }
  | { kind: "slice"; target: Node; start?: Node; stop?: Node; step?: Node; offset: number }
  | { kind: "list"; items: Node[]; offset: number }
  | { kind: "dict"; entries: [Node, Node][]; offset: number }
  | { kind: "unary"; op: "-" | "+" | "not"; operand: Node; offset: number }
  | { kind: "binary"; op: BinaryOp; left: Node; right: Node; offset: number }
  | { kind: "logical"; op: "and" | "or"; left: Node; right: Node; offset: number }
  | { kind: "compare"; first: Node; rest: { op: CompareOp; operand: Node }[]; offset: number }
  | { kind: "conditional"; test: Node; consequent: Node; otherwise?: Node; offset: number }
  | { kind: "filter"; name: string; target: Node; args: Args; offset: number }
  | { kind: "test"; name: string; target: Node; args: Args; negated: boolean; offset: number }
  /** `target.name(args)`: a method from the allow-list, checked when evaluated. */
  | { kind: "method"; target: Node; name: string; args: Args; offset: number }
  /** `name(args)`: one of the few global functions (`range`, `dict`). */
  | { kind: "call"; name: string; args: Args; offset: number };

export type BinaryOp = "+" | "-" | "*" | "/" | "//" | "%" | "**" | "~";
export type CompareOp = "==" | "!=" | "<" | ">" | "<=" | ">=" | "in" | "not in";

export interface Args {
  positional: Node[];
  keyword: { name: string; value: Node }[];
}

/** Calls `visit` on each direct child expression of `node` (operands, keys, items, call arguments). */
export function forEachChild(node: Node, visit: (child: Node) => void): void {
  const maybe = (child: Node | undefined) => {
    if (child !== undefined) visit(child);
  };
  switch (node.kind) {
    case "attr":
    case "filter":
    case "test":
    case "method":
      visit(node.target);
      break;
    case "unary":
      visit(node.operand);
      break;
    case "item":
      visit(node.target);
      visit(node.key);
      break;
    case "slice":
      visit(node.target);
      maybe(node.start);
      maybe(node.stop);
      maybe(node.step);
      break;
    case "list":
      node.items.forEach(visit);
      break;
    case "dict":
      for (const [k, v] of node.entries) {
        visit(k);
        visit(v);
      }
      break;
    case "binary":
    case "logical":
      visit(node.left);
      visit(node.right);
      break;
    case "compare":
      visit(node.first);
      for (const r of node.rest) visit(r.operand);
      break;
    case "conditional":
      visit(node.test);
      visit(node.consequent);
      maybe(node.otherwise);
      break;
    default:
      break;
  }
  if ("args" in node) {
    node.args.positional.forEach(visit);
    for (const k of node.args.keyword) visit(k.value);
  }
}
