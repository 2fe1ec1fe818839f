/** Static export: the local stack (infra/local/console-files.ts) serves web/out. */
const nextConfig = {
  output: 'export',
  images: { unoptimized: true },
  devIndicators: false,
};
export default nextConfig;
