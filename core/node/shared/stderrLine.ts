/**
 * The line of a QEMU program's stderr that says why it failed: the last non-empty line that
 * is not noise (`isNoise`: a warning, a hint), trimmed and without the program's name
 * ("qemu-img: ", "qemu-system-x86_64: "). Undefined when there is none.
 */
export function lastStderrLine(stderr: string, isNoise: (line: string) => boolean = () => false): string | undefined {
  const line = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !isNoise(l))
    .pop();
  return line?.replace(/^qemu-(?:img|system-\w+): /, '');
}
