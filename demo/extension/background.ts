/// <reference types="chrome" />
// The service worker only routes: it cannot run WASM or spawn workers (MV3), so ingestion and
// search live in an offscreen document created on demand with reason WORKERS.
import type { ExtensionMessage, ExtensionReply, SavedPage } from './messages.js';
import { extractReadableText } from './readable.js';

const offscreenUrl = 'offscreen.html';
let creating: Promise<void> | undefined;

async function ensureOffscreen(): Promise<void> {
  const contexts = await chrome.runtime.getContexts({
    contextTypes: [chrome.runtime.ContextType.OFFSCREEN_DOCUMENT],
    documentUrls: [chrome.runtime.getURL(offscreenUrl)],
  });
  if (contexts.length) return;
  creating ??= chrome.offscreen
    .createDocument({
      url: offscreenUrl,
      reasons: [chrome.offscreen.Reason.WORKERS],
      justification: 'Embeds text with ONNX Runtime Web and searches a WASM vector index in workers.',
    })
    .finally(() => {
      creating = undefined;
    });
  await creating;
}

async function toOffscreen<T>(message: ExtensionMessage): Promise<T> {
  await ensureOffscreen();
  const reply = (await chrome.runtime.sendMessage(message)) as ExtensionReply<T> | undefined;
  if (!reply) throw new Error('The offscreen document did not answer.');
  if (!reply.ok) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
  return reply.value;
}

/** Extracts the readable text of a tab and ingests it. Exposed for the side panel and tests. */
async function saveTab(tabId: number): Promise<{ chunks: number; title: string }> {
  const [injection] = await chrome.scripting.executeScript({ target: { tabId }, func: extractReadableText });
  const extracted = injection?.result as { title: string; url: string; text: string } | undefined;
  if (!extracted?.text) throw new Error('This page has no readable text to save.');
  const page: SavedPage = { ...extracted, savedAt: Date.now() };
  const result = await toOffscreen<{ chunks: number }>({ target: 'offscreen', type: 'ingest-page', page });
  return { chunks: result.chunks, title: page.title };
}

(globalThis as Record<string, unknown>).lumosSaveTab = saveTab;
(globalThis as Record<string, unknown>).lumosEnsureOffscreen = ensureOffscreen;

chrome.runtime.onInstalled.addListener(() => {
  chrome.contextMenus.create({ id: 'save-page', title: 'Save page to Lumos knowledge', contexts: ['page'] });
  chrome.sidePanel.setPanelBehavior({ openPanelOnActionClick: true }).catch(() => undefined);
});

chrome.contextMenus.onClicked.addListener((info, tab) => {
  if (info.menuItemId === 'save-page' && tab?.id !== undefined) void saveTab(tab.id).catch(console.error);
});

chrome.commands.onCommand.addListener(async (command, tab) => {
  if (command === 'save-page' && tab?.id !== undefined) await saveTab(tab.id).catch(console.error);
});

chrome.runtime.onMessage.addListener((message: unknown, sender, respond) => {
  // Only our own pages may ask the worker to save a tab.
  if (sender.id !== chrome.runtime.id) return false;
  const request = message as { target?: string; type?: string; tabId?: unknown };
  if (request?.target === 'background' && request.type === 'save-tab' && typeof request.tabId === 'number') {
    saveTab(request.tabId).then(
      (value) => respond({ ok: true, value }),
      (error: Error & { code?: string }) =>
        respond({ ok: false, error: { code: error.code ?? 'internal', message: error.message } }),
    );
    return true;
  }
  if (request?.target === 'background' && request.type === 'ensure-offscreen') {
    ensureOffscreen().then(
      () => respond({ ok: true, value: null }),
      (error: Error) => respond({ ok: false, error: { code: 'internal', message: error.message } }),
    );
    return true;
  }
  return false;
});
