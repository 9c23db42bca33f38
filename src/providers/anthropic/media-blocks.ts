// Pure: canonical images and documents -> Anthropic image and document blocks, with a warning for a source or
// type Anthropic does not take.
import type Anthropic from "@anthropic-ai/sdk";
import type { DocumentBlock, ImageBlock } from "../../canonical/content.ts";
import { cacheControlOf } from "./cache-control.ts";

type Warn = (text: string) => void;

// https://docs.anthropic.com/en/docs/build-with-claude/vision
const IMAGE_MEDIA_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"] as const;
type ImageMediaType = (typeof IMAGE_MEDIA_TYPES)[number];

function isImageMediaType(value: string): value is ImageMediaType {
  return (IMAGE_MEDIA_TYPES as readonly string[]).includes(value);
}

const HTTP_URL = /^https?:\/\//i;

/** Base64 bytes, an http(s) URL or a Files API id; a data: URL left as a URL is one that is not base64. */
function imageSource(block: ImageBlock, warn: Warn): Anthropic.ImageBlockParam["source"] | null {
  const source = block.source;
  switch (source.type) {
    case "base64":
      if (isImageMediaType(source.mediaType)) {
        return { type: "base64", media_type: source.mediaType, data: source.data };
      }
      warn(`an image of type ${source.mediaType} was dropped: Anthropic takes jpeg, png, gif and webp`);
      return null;
    case "url":
      if (HTTP_URL.test(source.url)) return { type: "url", url: source.url };
      warn(
        source.url.startsWith("data:")
          ? "an image data: URL that is not base64 was dropped"
          : "an image URL that is neither data: nor http(s) was dropped",
      );
      return null;
    case "file":
      return { type: "file", file_id: source.fileId };
  }
}

export function imageParam(block: ImageBlock, warn: Warn): Anthropic.ImageBlockParam | null {
  const source = imageSource(block, warn);
  if (!source) return null;
  const param: Anthropic.ImageBlockParam = { type: "image", source };
  if (block.cache) param.cache_control = cacheControlOf(block.cache, warn);
  return param;
}

/** Base64 bytes as UTF-8 text (a plain-text document's source takes the text itself). */
function decodeBase64Text(data: string): string {
  const bytes = Uint8Array.from(atob(data), (char) => char.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

// PDF support: https://docs.anthropic.com/en/docs/build-with-claude/pdf-support ; plain text documents:
// https://docs.anthropic.com/en/docs/build-with-claude/citations#plain-text-documents
function documentSource(block: DocumentBlock, warn: Warn): Anthropic.DocumentBlockParam["source"] | null {
  const source = block.source;
  switch (source.type) {
    case "base64":
      if (source.mediaType === "application/pdf") {
        return { type: "base64", media_type: "application/pdf", data: source.data };
      }
      if (source.mediaType === "text/plain") {
        try {
          return { type: "text", media_type: "text/plain", data: decodeBase64Text(source.data) };
        } catch {
          warn("a text document that is not valid base64 was dropped");
          return null;
        }
      }
      warn(`a document of type ${source.mediaType} was dropped: Anthropic takes PDF and plain text`);
      return null;
    case "url":
      if (HTTP_URL.test(source.url)) return { type: "url", url: source.url };
      warn("a document URL that is neither base64 data nor http(s) was dropped");
      return null;
    case "file":
      return { type: "file", file_id: source.fileId };
  }
}

export function documentParam(block: DocumentBlock, warn: Warn): Anthropic.DocumentBlockParam | null {
  const source = documentSource(block, warn);
  if (!source) return null;
  const param: Anthropic.DocumentBlockParam = { type: "document", source };
  // A file name is the nearest thing to a title that a client without one sends.
  const title = block.title ?? block.filename;
  if (title) param.title = title;
  if (block.cache) param.cache_control = cacheControlOf(block.cache, warn);
  return param;
}
