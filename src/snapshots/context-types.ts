import type { Static } from '@sinclair/typebox';
import type { PayeeContext, PayerContext } from '../machines/context.js';
import type { PayeeContextSchema, PayerContextSchema } from './schema.js';

/**
 * Compile-time agreement of the snapshot schemas with the machine context types: if a field is
 * added, removed, renamed or retyped on one side only, these aliases fail to typecheck.
 *
 * @module
 */

// Readonly modifiers do not matter to a validator; they are removed on both sides.
type DeepMutable<T> = T extends readonly (infer U)[]
  ? DeepMutable<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: DeepMutable<T[K]> }
    : T;

// Mutual assignability: catches missing, extra, optional-vs-required and widened fields.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

type Assert<T extends true> = T;

/** `true` exactly when `PayerContextSchema` describes `PayerContext`. */
export type PayerContextSchemaMatches = Assert<
  Same<DeepMutable<PayerContext>, DeepMutable<Static<typeof PayerContextSchema>>>
>;

/** `true` exactly when `PayeeContextSchema` describes `PayeeContext`. */
export type PayeeContextSchemaMatches = Assert<
  Same<DeepMutable<PayeeContext>, DeepMutable<Static<typeof PayeeContextSchema>>>
>;
