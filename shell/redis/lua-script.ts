// A Lua script as the generated module carries it: its name, source and SHA-1 for EVALSHA.

export interface LuaScript {
  readonly name: string;
  readonly sha1: string;
  readonly source: string;
}
