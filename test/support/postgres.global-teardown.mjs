export default async function stopPostgres() {
  const postgres = globalThis.__FIRELINE_POSTGRES__;
  if (postgres) await postgres.stop();
}
