import { benchAggregate } from '/work/main/bench/aggregate.ts';
const t = Date.now();
console.log(await benchAggregate({ rows: Number(process.argv[2]) }));
console.log('total s', (Date.now() - t) / 1000, 'rss MB', Math.round(process.memoryUsage().rss / 1e6));
