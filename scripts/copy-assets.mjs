// Copies the non-TypeScript files the code loads at run time (SQL migrations, the python runner, ...)
// from src/ into dist/, beside the compiled modules that read them.
import { cpSync } from "node:fs";

cpSync("src", "dist", {
  recursive: true,
  filter: (source) => !source.endsWith(".ts"),
});
