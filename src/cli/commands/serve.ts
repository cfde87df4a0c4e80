// `vigil serve`: placeholder until its issue lands; the owning module replaces this file.
import type { Command } from '../context.js';
import { VigilError } from '../../model/errors.js';

const command: Command = {
  summary: '(serve: not built yet)',
  help: 'usage: vigil serve\n',
  async run() {
    throw new VigilError('INTERNAL', 'serve is not built yet');
  },
};
export default command;
