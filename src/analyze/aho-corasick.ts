// Aho-Corasick multi-pattern search (Aho & Corasick, CACM 1975): every literal pattern found in one
// pass over the text, so matching ~1,400 blockpage fingerprints costs one scan of a body, not 1,400.
export class AhoCorasick {
  private readonly next: Array<Map<number, number>> = [new Map()];
  private readonly fail: number[] = [0];
  private readonly out: number[][] = [[]];
  /** root transitions as a dense table: most characters of a page leave the automaton at the root */
  private readonly root = new Int32Array(65536);

  constructor(patterns: string[]) {
    patterns.forEach((p, idx) => {
      if (p.length === 0) return;
      let s = 0;
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i);
        let t = this.next[s].get(c);
        if (t === undefined) {
          t = this.next.length;
          this.next.push(new Map());
          this.fail.push(0);
          this.out.push([]);
          this.next[s].set(c, t);
        }
        s = t;
      }
      this.out[s].push(idx);
    });
    // breadth-first: failure links, and outputs merged along them
    const queue: number[] = [...this.next[0].values()];
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi];
      for (const [c, t] of this.next[s]) {
        queue.push(t);
        let f = this.fail[s];
        while (f !== 0 && !this.next[f].has(c)) f = this.fail[f];
        const g = this.next[f].get(c);
        this.fail[t] = g !== undefined && g !== t ? g : 0;
        if (this.out[this.fail[t]].length) this.out[t] = this.out[t].concat(this.out[this.fail[t]]);
      }
    }
    for (const [c, t] of this.next[0]) this.root[c] = t;
  }

  /** Indices of the patterns occurring in `text` (each once). */
  search(text: string): Set<number> {
    const found = new Set<number>();
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (s === 0) {
        s = this.root[c];
        if (s === 0) continue;
      } else {
        let t = this.next[s].get(c);
        while (t === undefined && s !== 0) {
          s = this.fail[s];
          t = s === 0 ? this.root[c] || undefined : this.next[s].get(c);
        }
        s = t ?? 0;
      }
      const o = this.out[s];
      if (o.length) for (const k of o) found.add(k);
    }
    return found;
  }
}
