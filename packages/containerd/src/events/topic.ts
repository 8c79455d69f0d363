/** Event topics, validated like containerd's events/exchange validateTopic: "/a/b", identifier components. */
import { invalidArgument, isBerthError } from '@berth/errors';
import { goQuote, validateIdentifier } from '../identifiers.js';

export function validateTopic(topic: string): void {
  const fail = (why: string) => invalidArgument(`envelope topic ${goQuote(topic)}: ${why}`);
  if (topic === '') throw fail('must not be empty');
  if (!topic.startsWith('/')) throw fail("must start with '/'");
  if (topic.length === 1) throw fail('must have at least one component');
  for (const component of topic.slice(1).split('/')) {
    try {
      validateIdentifier(component);
    } catch (err) {
      if (isBerthError(err)) throw fail(`failed validation on component ${goQuote(component)}: ${err.message}`);
      throw err;
    }
  }
}
