// Every HTTP request this process starts, whichever client starts it: the global fetch, or
// node:http and node:https through an agent (shared/outbound's pools, pop-core, ali-oss). Tests use
// it to show that a refusal cost no request to anyone.

import { Agent, type ClientRequest, type RequestOptions } from 'node:http';

export interface OutboundWatch {
  /** `protocol//host:port/path` (or the URL given to fetch) of each request, in the order they started. */
  readonly urls: string[];
  restore(): void;
}

type AddRequest = (this: Agent, req: ClientRequest, options: RequestOptions) => void;

export function watchOutbound(): OutboundWatch {
  const urls: string[] = [];
  const realFetch = globalThis.fetch;
  const fetchSpy = jest.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    urls.push(input instanceof Request ? input.url : String(input));
    return realFetch(input, init);
  });
  // Every node:http(s) request made with an agent passes here (https.Agent inherits it).
  const proto = Agent.prototype as unknown as { addRequest: AddRequest };
  const addRequest = proto.addRequest;
  proto.addRequest = function (req, options) {
    urls.push(`${req.protocol}//${req.host}:${options.port}${req.path}`);
    return addRequest.call(this, req, options);
  };
  return {
    urls,
    restore() {
      fetchSpy.mockRestore();
      proto.addRequest = addRequest;
    },
  };
}
