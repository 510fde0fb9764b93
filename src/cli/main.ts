import { VERSION } from "./version.ts";

console.log(VERSION);
