// The REST API of `wissen serve`: JSON calls with the CSRF token, and the streamed answer.
export class ApiError extends Error {
  constructor(status, code, message, retryAfter = 0) {
    super(message);
    this.status = status;   // HTTP status; 0 = network failure
    this.code = code;
    this.retryAfter = retryAfter;  // seconds, from Retry-After on 429/503
  }
}

let csrfToken = '';
export function setCsrfToken(token) { csrfToken = token || ''; }

async function errorFrom(response) {
  let code = 'http_' + response.status;
  let message = response.statusText;
  try {
    const body = await response.json();
    if (body && body.error) ({ code, message } = body.error);
  } catch { /* not JSON */ }
  const retry = parseInt(response.headers.get('Retry-After') || '0', 10);
  return new ApiError(response.status, code, message, Number.isFinite(retry) ? retry : 0);
}

async function send(method, path, body, signal) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  try {
    return await fetch(path, {
      method, headers, signal, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network', String(error.message || error));
  }
}

// Calls the API and returns the parsed JSON; throws ApiError for any non-2xx answer.
export async function call(method, path, body) {
  const response = await send(method, path, body);
  if (!response.ok) throw await errorFrom(response);
  return response.status === 204 ? {} : response.json();
}

// POST /api/v1/ask with stream:true; calls onEvent(name, data) for every SSE event.
// Resolves when the stream ends; rejects with ApiError (or AbortError when `signal` aborts).
export async function askStream(body, onEvent, signal) {
  const response = await send('POST', '/api/v1/ask', { ...body, stream: true }, signal);
  if (!response.ok) throw await errorFrom(response);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const dispatch = (block) => {
    let event = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length === 0) return;
    let parsed;
    try { parsed = JSON.parse(data.join('\n')); } catch { return; }
    onEvent(event, parsed);
  };
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch (error) {
      if (error.name === 'AbortError') throw error;
      throw new ApiError(0, 'network', String(error.message || error));
    }
    if (chunk.done) break;
    buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      dispatch(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
    }
  }
  if (buffer.trim()) dispatch(buffer);
}
