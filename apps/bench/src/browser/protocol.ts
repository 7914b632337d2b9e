import type { PeerId } from "../peer.js";
import type { Outcome } from "../report.js";

/** What the bench worker posts to its page, which hands it on to the Node host. */
export type BrowserMessage =
  | { log: string }
  | { done: { results: { id: string; outcomes: [PeerId, Outcome][] }[]; notes: string[] } }
  | { error: string };
