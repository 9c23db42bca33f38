// Canonical images, documents and audio -> Gemini parts: bytes inline, http(s) URLs by reference.
// Part.inlineData (Blob) and Part.fileData (FileData): https://ai.google.dev/api/caching#Part ;
// supported media types: https://ai.google.dev/gemini-api/docs/image-understanding ,
// https://ai.google.dev/gemini-api/docs/document-processing , https://ai.google.dev/gemini-api/docs/audio
import type { Part } from "@google/genai";
import type { AudioBlock, DocumentBlock, ImageBlock, MediaSource } from "../../canonical/content.ts";

/** fileData wants a mimeType; for a URL it is read from the extension, as Gemini cannot be asked to sniff it. */
const EXTENSION_MIME: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  gif: "image/gif",
  heic: "image/heic",
  heif: "image/heif",
  pdf: "application/pdf",
};

const HTTP_URL = /^https?:\/\//i;

function fileDataOf(url: string): Part {
  const extension = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
  const mimeType = extension === undefined ? undefined : EXTENSION_MIME[extension];
  return { fileData: mimeType ? { fileUri: url, mimeType } : { fileUri: url } };
}

/**
 * A media source as a part, or undefined with a warning. Bytes go inline; an http(s) URL goes by reference (Gemini
 * fetches it); any other URL (a data: URL that is not base64) cannot be fetched. A file id is another provider's
 * file store unless it is a URL itself (a Gemini Files API URI is one).
 */
function sourcePart(source: MediaSource, what: "An image" | "A file", warnings: string[]): Part | undefined {
  switch (source.type) {
    case "base64":
      return { inlineData: { mimeType: source.mediaType || "application/octet-stream", data: source.data } };
    case "url":
      if (HTTP_URL.test(source.url)) return fileDataOf(source.url);
      warnings.push(
        `${what} URL that is neither base64 data: nor http(s) was dropped (Gemini cannot fetch it).`,
      );
      return undefined;
    case "file":
      if (HTTP_URL.test(source.fileId)) {
        return {
          fileData: source.mediaType
            ? { fileUri: source.fileId, mimeType: source.mediaType }
            : { fileUri: source.fileId },
        };
      }
      warnings.push(
        `${what} given by file id was dropped: Gemini cannot read another provider's file store.`,
      );
      return undefined;
  }
}

export function mediaPart(
  block: ImageBlock | DocumentBlock | AudioBlock,
  warnings: string[],
  notice: MediaNotices,
): Part | undefined {
  if (block.type === "audio") return { inlineData: { mimeType: `audio/${block.format}`, data: block.data } };
  if (block.type === "image") {
    // OpenAI's detail hint; Gemini sizes images itself (mediaResolution is a request-wide setting, not per image).
    if (block.detail !== undefined && block.detail !== "auto") notice.detail = true;
    return sourcePart(block.source, "An image", warnings);
  }
  // A title is for the model to read; Gemini's Blob and FileData have no field for it. A filename is only a label.
  if (block.title !== undefined) notice.title = true;
  return sourcePart(block.source, "A file", warnings);
}

/** What was ignored on some media block, reported once per request. */
export interface MediaNotices {
  detail: boolean;
  title: boolean;
}

export function mediaWarnings(notice: MediaNotices, warnings: string[]): void {
  if (notice.detail) warnings.push("Image 'detail' has no Gemini equivalent and was ignored.");
  if (notice.title) warnings.push("Document titles have no Gemini equivalent and were dropped.");
}
