/** @packageDocumentation Two-party sessions over Whisper envelopes (in progress). */
export {}
