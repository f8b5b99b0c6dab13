// One secret per purpose: the configured signing secrets must all differ, so a leak of one forges nothing else.
import type { Env } from "./control-plane-env.ts";

/** Secrets that each sign one kind of thing: a leak of one must not forge the others. */
const PURPOSE_SECRETS = ["CALLBACK_SECRET", "MEDIA_SECRET", "EVENT_SECRET", "WEBHOOK_SECRET"] as const;

export const sharedSecrets = (env: Env): string[] => {
  const owner = new Map<string, string>();
  const problems: string[] = [];
  for (const name of PURPOSE_SECRETS) {
    const value = env[name];
    if (value === null) continue;
    const earlier = owner.get(value);
    if (earlier === undefined) owner.set(value, name);
    else problems.push(`${name} must differ from ${earlier}: one secret per purpose`);
  }
  return problems;
};
