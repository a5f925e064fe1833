import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    simnet: 'src/simnet/index.ts',
    'simnet-cli': 'src/simnet/main.ts',
    hub: 'src/hub/index.ts',
    'hub-client': 'src/hub-client/index.ts',
    'hub-main': 'src/hub-main.ts',
    'cli-main': 'src/cli-main.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
