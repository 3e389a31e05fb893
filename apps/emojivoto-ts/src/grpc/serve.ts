import { Server, ServerCredentials, type ServerInterceptor } from '@grpc/grpc-js';

export interface GrpcServer {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}

/** Binds a plaintext gRPC server on `host` (every interface, as the original, unless LISTEN_HOST says otherwise). */
export async function serveGrpc(
  host: string,
  port: number,
  interceptors: ServerInterceptor[],
  register: (server: Server) => void,
): Promise<GrpcServer> {
  const server = new Server({ interceptors });
  register(server);
  const bound = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      `${host.includes(':') ? `[${host}]` : host}:${port}`,
      ServerCredentials.createInsecure(),
      (error, actual) => (error ? reject(error) : resolve(actual)),
    );
  });
  return {
    server,
    port: bound,
    close: () =>
      new Promise((resolve) => {
        // Give in-flight calls a moment, then cut the rest.
        const timer = setTimeout(() => server.forceShutdown(), 2000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
