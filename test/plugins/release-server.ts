import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One asset of a fake release: its name and bytes. */
export interface FakeAsset {
  name: string;
  content: Buffer;
}

/**
 * A GitHub-releases-shaped HTTP server on 127.0.0.1: `/repos/<owner>/<repo>/releases/{latest,tags/<tag>}`,
 * browser downloads under `/download/…`, API asset downloads under `/api-assets/…`, plus
 * misbehaving routes (`/truncated`, `/loop`, `/redirect-to/<path>`). Records every request.
 */
export class ReleaseServer {
  readonly requests: { url: string; headers: IncomingMessage['headers'] }[] = [];
  /** tag → assets; the first tag is "latest" */
  releases = new Map<string, FakeAsset[]>();
  /** `<owner>/<repo>/<tag>` → the tag's source archive (.tar.gz), served at /repos/<owner>/<repo>/tarball/<tag> */
  archives = new Map<string, Buffer>();
  /** tag → the `tag_name` the API reports for it (a hostile server may say anything) */
  tagNames = new Map<string, string>();
  /** `/files/<name>` → bytes, served with a Content-Length */
  files = new Map<string, Buffer>();
  private server?: Server;
  base = '';

  async start(): Promise<this> {
    this.server = createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private release(tag: string) {
    return {
      tag_name: this.tagNames.get(tag) ?? tag,
      assets: (this.releases.get(tag) ?? []).map((asset) => ({
        name: asset.name,
        browser_download_url: `${this.base}/download/${tag}/${asset.name}`,
        url: `${this.base}/api-assets/${tag}/${asset.name}`,
      })),
    };
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = request.url ?? '/';
    this.requests.push({ url, headers: request.headers });
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    let match: RegExpExecArray | null;
    if ((match = /^\/repos\/[^/]+\/[^/]+\/releases\/latest$/.exec(url))) {
      const latest = [...this.releases.keys()][0];
      return latest ? json(200, this.release(latest)) : json(404, { message: 'Not Found' });
    }
    if ((match = /^\/repos\/[^/]+\/[^/]+\/releases\/tags\/([^/]+)$/.exec(url))) {
      const tag = decodeURIComponent(match[1]!);
      return this.releases.has(tag) ? json(200, this.release(tag)) : json(404, { message: 'Not Found' });
    }
    if ((match = /^\/repos\/([^/]+)\/([^/]+)\/tarball\/([^/?]+)$/.exec(url))) {
      const archive = this.archives.get(`${match[1]}/${match[2]}/${decodeURIComponent(match[3]!)}`);
      if (!archive) return json(404, { message: 'Not Found' });
      response.writeHead(200, { 'content-type': 'application/x-gzip', 'content-length': archive.length });
      return void response.end(archive);
    }
    if ((match = /^\/(download|api-assets)\/([^/]+)\/([^/?]+)/.exec(url))) {
      if (match[1] === 'api-assets' && request.headers.accept !== 'application/octet-stream') return json(415, {});
      const asset = this.releases.get(match[2]!)?.find((candidate) => candidate.name === match![3]);
      if (!asset) return json(404, { message: 'Not Found' });
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': asset.content.length });
      return void response.end(asset.content);
    }
    if (url.startsWith('/truncated')) {
      response.writeHead(200, { 'content-length': 100_000 });
      response.write(Buffer.alloc(1000, 7));
      // Let the first bytes go out, then drop the connection as a failing network would.
      return void response.socket?.end(() => response.socket?.destroy());
    }
    if ((match = /^\/files\/([^/?]+)/.exec(url))) {
      const file = this.files.get(decodeURIComponent(match[1]!));
      if (!file) return json(404, { message: 'Not Found' });
      response.writeHead(200, { 'content-length': file.length });
      return void response.end(file);
    }
    if (url.startsWith('/stall')) {
      // headers and a few bytes, then silence with the connection open
      response.writeHead(200, { 'content-length': 1_000_000 });
      return void response.write(Buffer.from('\x7fELF', 'latin1'));
    }
    if (url.startsWith('/trickle')) {
      // a byte every 50 ms, for ever: never idle, never done
      response.writeHead(200);
      const timer = setInterval(() => response.write('x'), 50);
      return void response.on('close', () => clearInterval(timer));
    }
    if (url.startsWith('/endless')) {
      // zeros as fast as the client takes them, without a Content-Length
      response.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024);
      const pump = () => {
        while (!response.destroyed && response.write(chunk));
      };
      response.on('drain', pump);
      return pump();
    }
    if (url.startsWith('/announced-huge')) {
      response.writeHead(200, { 'content-length': 50 * 1024 ** 3 });
      return void response.write(Buffer.alloc(1024));
    }
    if (url.startsWith('/loop')) {
      response.writeHead(302, { location: '/loop' });
      return void response.end();
    }
    if ((match = /^\/cross-origin(\/.*)$/.exec(url))) {
      // Same server, other origin: as GitHub sends asset downloads to a storage host.
      response.writeHead(302, { location: `${this.base.replace('127.0.0.1', 'localhost')}${match[1]}` });
      return void response.end();
    }
    if ((match = /^\/redirect-to(\/.*)$/.exec(url))) {
      response.writeHead(302, { location: `${this.base}${match[1]}` });
      return void response.end();
    }
    json(404, { message: 'Not Found' });
  }
}
