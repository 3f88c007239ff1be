// A deterministic 10,000-message conversation: varied user/assistant turns about many topics,
// so semantic recall has something real to find.
const subjects = [
  'my cat Miso',
  'the garden',
  'our trip to Lisbon',
  'the Rust compiler',
  'my sister Ana',
  'the quarterly report',
  'the kitchen renovation',
  'marathon training',
  'the piano lesson',
  'my tax return',
  'the new laptop',
  'the bakery order',
  'grandma’s birthday',
  'the bicycle repair',
  'the job interview',
  'the book club',
  'the hiking plan',
  'the car insurance',
  'the wedding in Porto',
  'the Python script',
  'the flu vaccine',
  'the mortgage rate',
  'the school project',
  'the camping gear',
];
const verbs = [
  'needs attention because',
  'went well since',
  'is delayed as',
  'reminds me that',
  'got cheaper after',
  'is confusing because',
  'should be done before',
  'made me happy when',
  'costs more now that',
  'was discussed and',
];
const details = [
  'the deadline is next Friday',
  'it rained all week',
  'the shop closes at six',
  'we budgeted 300 euros',
  'the train was late',
  'Ana called twice',
  'the parts arrived broken',
  'my knee hurts again',
  'the doctor said to rest',
  'the forecast says snow',
  'we found a cheaper option',
  'the manager approved it',
  'the tutorial skipped a step',
  'my neighbour offered help',
];
const replies = [
  'Noted. I will remember that',
  'Good to know: I suggest writing it down because',
  'Understood, so',
  'Thanks for the update; it sounds like',
];

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** `count` alternating user/assistant texts, the same every run. */
export function conversation(count: number): { role: 'user' | 'assistant'; content: string }[] {
  const next = random(42);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
  const messages: { role: 'user' | 'assistant'; content: string }[] = [];
  for (let index = 0; index < count; index += 2) {
    const user = `${pick(subjects)} ${pick(verbs)} ${pick(details)} (note ${index / 2})`;
    messages.push({ role: 'user', content: user });
    messages.push({ role: 'assistant', content: `${pick(replies)} ${user.toLowerCase()}.` });
  }
  return messages.slice(0, count);
}

/** Questions for new turns: each asks about something said long ago. */
export const queries = [
  'what did I tell you about my cat Miso?',
  'when is the deadline for the quarterly report?',
  'how much did we budget for the kitchen renovation?',
  'what happened with the bicycle repair parts?',
  'what did the doctor say about marathon training?',
  'remind me about the wedding in Porto',
  'did the manager approve the job interview?',
  'what is going on with the car insurance?',
  'tell me again about the hiking plan and the forecast',
  'what did Ana say on the phone?',
];
