// Vite's `?url` imports: the served URL of a file (the TF.js wasm backend's binaries).
declare module '*?url' {
  const url: string;
  export default url;
}
