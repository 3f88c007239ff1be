import { listProviders, type ProviderId } from 'lumosai/llm';

/** What the Settings panel edits. The API key lives in memory unless the user opts in. */
export interface StudioSettings {
  provider: ProviderId | 'none';
  baseURL: string;
  model: string;
  apiKey: string;
  rememberKey: boolean;
  embedderDevice: 'wasm' | 'webgpu';
}

const storageKey = 'lumos-studio-settings';

export const defaultSettings: StudioSettings = {
  provider: 'none',
  baseURL: '',
  model: '',
  apiKey: '',
  rememberKey: false,
  embedderDevice: 'wasm',
};

/**
 * Reads settings: URL query parameters win (the e2e tests and "open with this endpoint" links use
 * them), then what was saved. The key is never read from the URL.
 */
export function loadSettings(): StudioSettings {
  const saved = JSON.parse(localStorage.getItem(storageKey) ?? '{}') as Partial<StudioSettings>;
  const settings = { ...defaultSettings, ...saved, apiKey: '' };
  const query = new URLSearchParams(location.search);
  const provider = query.get('provider');
  if (provider && (provider === 'none' || listProviders().some((entry) => entry.id === provider))) {
    settings.provider = provider as StudioSettings['provider'];
  }
  settings.baseURL = query.get('baseURL') ?? settings.baseURL;
  settings.model = query.get('model') ?? settings.model;
  return settings;
}

/** Saves everything but the key (see `keyVault` for the opt-in, encrypted key). */
export function saveSettings(settings: StudioSettings): void {
  const { apiKey: _apiKey, ...rest } = settings;
  localStorage.setItem(storageKey, JSON.stringify(rest));
}
