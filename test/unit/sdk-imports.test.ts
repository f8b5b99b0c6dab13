// Keeps the SDK portable and small: everything it loads, followed import by import from sdk/index.ts, is the SDK,
// the pure core, the API's schemas or the WebCrypto signing, and the only packages are valibot, neverthrow, p-retry.
// (sdk/tsconfig.json checks the other half: no runtime API but the web platform's.)
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const ALLOWED_PACKAGES = new Set(["valibot", "neverthrow", "p-retry"]);
const ALLOWED_FILES = [
  /^sdk\//,
  /^core\//,
  /^shell\/control-plane\/http\/api-schemas\.ts$/,
  /^shell\/signing\//,
];

const importsOf = (file: string): string[] => {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
  return source.statements.flatMap((statement) =>
    (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
    statement.moduleSpecifier &&
    ts.isStringLiteral(statement.moduleSpecifier)
      ? [statement.moduleSpecifier.text]
      : [],
  );
};

/** Every file and package reachable from `entry`. */
const importGraph = (entry: string) => {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const specifier of importsOf(file)) {
      if (specifier.startsWith(".")) visit(resolve(dirname(file), specifier));
      else packages.add(specifier);
    }
  };
  visit(entry);
  return { files: [...files].map((file) => relative(ROOT, file)).sort(), packages: [...packages].sort() };
};

describe("the SDK's imports", () => {
  const graph = importGraph(resolve(ROOT, "sdk/index.ts"));

  it("reach only the SDK, the core, the API's schemas and the signing module", () => {
    expect(graph.files.filter((file) => !ALLOWED_FILES.some((pattern) => pattern.test(file)))).toEqual([]);
    expect(graph.files).toContain("shell/control-plane/http/api-schemas.ts");
  });

  it("use no package but valibot, neverthrow and p-retry (no hono, no node: modules)", () => {
    expect(graph.packages.filter((name) => !ALLOWED_PACKAGES.has(name))).toEqual([]);
  });
});
