// `vigil geo`: placeholder until its issue lands; the owning module replaces this file.
import type { Command } from '../context.js';
import { VigilError } from '../../model/errors.js';

const command: Command = {
  summary: '(geo: not built yet)',
  help: 'usage: vigil geo\n',
  async run() {
    throw new VigilError('INTERNAL', 'geo is not built yet');
  },
};
export default command;
