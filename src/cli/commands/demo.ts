// `vigil demo`: placeholder until its issue lands; the owning module replaces this file.
import type { Command } from '../context.js';
import { VigilError } from '../../model/errors.js';

const command: Command = {
  summary: '(demo: not built yet)',
  help: 'usage: vigil demo\n',
  async run() {
    throw new VigilError('INTERNAL', 'demo is not built yet');
  },
};
export default command;
