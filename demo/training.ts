// The training view (filled in next).
export function setupTraining(): void {}
