// `vigil bgp`: placeholder until its issue lands; the owning module replaces this file.
import type { Command } from '../context.js';
import { VigilError } from '../../model/errors.js';

const command: Command = {
  summary: '(bgp: not built yet)',
  help: 'usage: vigil bgp\n',
  async run() {
    throw new VigilError('INTERNAL', 'bgp is not built yet');
  },
};
export default command;
