import { z } from 'zod';

/** A database id as Laravel's JSON resources send it: a positive integer. */
export const Id = z.number().int().positive();
export type Id = z.infer<typeof Id>;

/**
 * An id that may arrive as a decimal string: Laravel's presence `channel_data`
 * sends `user_id` as a string while REST sends numbers. Normalised to a number
 * so that both sides key the same user the same way.
 */
export const LooseId = z.union(
  [
    Id,
    z
      .string()
      .regex(/^[1-9]\d{0,15}$/, 'expected a positive integer id')
      .transform((s) => Number(s)),
  ],
  { error: 'expected a positive integer id' },
);
