// Python's warnings.warn where the Python library warns and carries on (MONAI: "single channel
// prediction, `softmax=True` ignored."). Python shows a warning once per place in the code by
// default; here each object shows each of its messages once, on console.warn.

export class Warnings {
  private readonly shown = new Set<string>();

  constructor(private readonly owner: string) {}

  warn(message: string): void {
    if (this.shown.has(message)) return;
    this.shown.add(message);
    console.warn(`${this.owner}: ${message}`);
  }
}
