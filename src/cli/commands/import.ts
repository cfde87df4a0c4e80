// `vigil import`: placeholder until its issue lands; the owning module replaces this file.
import type { Command } from '../context.js';
import { VigilError } from '../../model/errors.js';

const command: Command = {
  summary: '(import: not built yet)',
  help: 'usage: vigil import\n',
  async run() {
    throw new VigilError('INTERNAL', 'import is not built yet');
  },
};
export default command;
