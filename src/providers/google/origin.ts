// Whose thinking a block is: every thinking block read from Gemini carries this origin, and only blocks that carry
// it go back to Gemini with their thought signature (another family's signature is meaningless to Gemini).
// Signatures: https://ai.google.dev/gemini-api/docs/thought-signatures

export const GOOGLE_ORIGIN = "google";
