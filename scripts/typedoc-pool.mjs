// TypeDoc plugin: the pool's methods are a mapped type of the kernel's (src/pool/pool.ts), which
// TypeDoc cannot follow to their comments. Each DicePool method without a comment takes the comment
// of the DiceKernel method of the same name, with a note that on the pool it returns a Promise.
import { Comment, Converter } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const project = context.project;
    const kernel = project.getChildByName(['index', 'DiceKernel']);
    const pool = project.getChildByName(['index', 'DicePool']);
    if (!kernel || !pool || !('children' in pool)) return;
    for (const member of pool.children ?? []) {
      if (member.hasComment()) continue;
      const source = kernel.getChildByName([member.name]);
      const comment = source?.comment ?? source?.signatures?.[0]?.comment;
      if (!comment) continue;
      const copy = comment.clone();
      copy.summary = [
        ...copy.summary,
        { kind: 'text', text: '\n\nOn the pool: the same call, returning a Promise of its result (' },
        { kind: 'code', text: `\`DiceKernel.${member.name}\`` },
        { kind: 'text', text: ').' },
      ];
      member.comment = copy instanceof Comment ? copy : new Comment(copy.summary);
    }
  });
}
