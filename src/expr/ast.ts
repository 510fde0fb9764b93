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
