/// <reference types="chrome" />

import { serializeError } from 'lumosai/errors';
import { openKnowledge } from './knowledge.js';
import { type ExtensionReply, isExtensionMessage } from './messages.js';

const ready = openKnowledge();

chrome.runtime.onMessage.addListener((message: unknown, sender, respond: (reply: ExtensionReply) => void) => {
  if (sender.id !== chrome.runtime.id || !isExtensionMessage(message)) return false;
  const work = (async () => {
    const kb = await ready;
    switch (message.type) {
      case 'ingest-page':
        return kb.ingestPage(message.page);
      case 'search':
        return kb.search(message.query, message.topK);
      case 'list-pages':
        return (await kb.knowledge.listDocuments()).map((document) => ({
          id: document.id,
          url: document.source,
          title: document.title,
          chunks: document.chunkCount,
        }));
      case 'delete-page': {
        const page = (await kb.knowledge.listDocuments()).find((document) => document.source === message.url);
        if (page) await kb.knowledge.deleteDocument(page.id);
        return { deleted: Boolean(page) };
      }
    }
  })();
  work.then(
    (value) => respond({ ok: true, value }),
    (error: unknown) => {
      const { code, message: text } = serializeError(error);
      respond({ ok: false, error: { code, message: text } });
    },
  );
  return true;
});
