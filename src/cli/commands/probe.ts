// `vigil probe`: placeholder until its issue lands; the owning module replaces this file.
import type { Command } from '../context.js';
import { VigilError } from '../../model/errors.js';

const command: Command = {
  summary: '(probe: not built yet)',
  help: 'usage: vigil probe\n',
  async run() {
    throw new VigilError('INTERNAL', 'probe is not built yet');
  },
};
export default command;
