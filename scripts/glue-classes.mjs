// Removes the wasm-bindgen classes a side does not use from the glue's text: the worklet
// never makes a MainTap or PitchAnalysis, the main thread never makes a WorkletTap. Each
// class goes with its Symbol.dispose line and its FinalizationRegistry, which the glue makes
// at module level, so a minifier would keep them. Every pattern must match: a glue of
// another shape (a new wasm-bindgen) fails the build instead of shipping half a class.
export function dropClasses(glue, keep, fail) {
  for (const [, name] of glue.matchAll(/^export class (\w+) \{$/gm)) {
    if (keep.includes(name)) continue;
    for (const re of [
      new RegExp(`^export class ${name} \\{$[\\s\\S]*?^\\}\n`, 'm'),
      new RegExp(
        `^if \\(Symbol\\.dispose\\) ${name}\\.prototype\\[Symbol\\.dispose\\] = ${name}\\.prototype\\.free;\n`,
        'm',
      ),
      new RegExp(`^const ${name}Finalization = [\\s\\S]*?;\n`, 'm'),
    ]) {
      if (!re.test(glue)) fail(`cannot remove ${name} from the glue: no match for ${re}`);
      glue = glue.replace(re, '');
    }
  }
  return glue;
}

// The same for the glue's type declarations (pkg/pitchtap_wasm.d.ts), so they declare only
// the classes the trimmed glue still exports: each other class goes with its doc comment.
export function dropDeclaredClasses(dts, keep, fail) {
  for (const [, name] of dts.matchAll(/^export class (\w+) \{$/gm)) {
    if (keep.includes(name)) continue;
    const re = new RegExp(
      `^(?:/\\*\\*\\n(?: \\*.*\\n)*? \\*/\\n)?export class ${name} \\{$[\\s\\S]*?^\\}\\n\\n?`,
      'm',
    );
    if (!re.test(dts)) fail(`cannot remove ${name} from the glue's types: no match for ${re}`);
    dts = dts.replace(re, '');
  }
  return dts;
}
