import { type ChatModel, createProvider, type ProviderId, providerInfo } from 'lumosai/llm';
import { keyVault } from './key-vault.js';
import { loadSettings, type StudioSettings, saveSettings } from './settings.js';

export interface Panel {
  id: string;
  title: string;
  element: HTMLElement;
  /** Called each time the panel is shown. */
  show?(): void;
}

/** What every panel shares: settings, the chat model built from them, and the status line. */
export class Studio {
  settings: StudioSettings = loadSettings();
  readonly resourceId = 'studio-user';
  private listeners = new Set<() => void>();

  constructor(private readonly statusElement: HTMLElement) {}

  async restoreKey(): Promise<void> {
    if (!this.settings.rememberKey) return;
    this.settings.apiKey = (await keyVault.load().catch(() => undefined)) ?? '';
  }

  async updateSettings(next: StudioSettings): Promise<void> {
    this.settings = next;
    saveSettings(next);
    if (next.rememberKey && next.apiKey) await keyVault.save(next.apiKey);
    if (!next.rememberKey) await keyVault.forget();
    for (const listener of this.listeners) listener();
  }

  onSettingsChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  /** The configured chat model, or undefined when no LLM is set up (the chat then answers extractively). */
  model(): ChatModel | undefined {
    const { provider, baseURL, model, apiKey } = this.settings;
    if (provider === 'none') return undefined;
    const info = providerInfo(provider as ProviderId);
    if (info.keyRequired && !apiKey && !baseURL) return undefined;
    return createProvider(
      provider as ProviderId,
      {
        ...(apiKey ? { apiKey } : {}),
        ...(baseURL ? { baseURL } : {}),
        ...(model ? { model } : {}),
        dangerouslyAllowBrowser: true,
        maxRetries: 2,
      } as never,
    );
  }

  status(text: string): void {
    this.statusElement.textContent = text;
  }
}
