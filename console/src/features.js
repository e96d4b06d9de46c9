// What this server's API offers beyond the reference, read from its own /openapi.json, so the
// console shows analysis settings, search and export only where the server has them.
let cached;

export function features() {
  if (!cached) {
    cached = fetch('/openapi.json', { credentials: 'omit' })
      .then((r) => (r.ok ? r.json() : {}))
      .catch(() => ({}))
      .then((doc) => {
        const paths = doc.paths || {};
        const schemas = (doc.components && doc.components.schemas) || {};
        const listParams = ((paths['/api/conversations/'] || paths['/api/conversations'] || {}).get || {}).parameters || [];
        const shared = (doc.components && doc.components.parameters) || {};
        const resolve = (p) => (p && p.$ref ? shared[p.$ref.split('/').pop()] || {} : p || {});
        const names = new Set(listParams.map((p) => resolve(p).name));
        const agent = (schemas.Agent && schemas.Agent.properties) || {};
        return {
          analysis: 'analysis' in agent,
          search: names.has('q'),
          filters: names,
          export: '/api/conversations/export' in paths,
          analyze: '/api/conversations/{conversation_id}/analyze' in paths,
          usageAnalysis: '/api/usage/analysis' in paths,
          eventTypes: (schemas.EventType && schemas.EventType.enum) || [
            'conversation.completed',
            'conversation.transferred',
            'agent.status_changed',
            'phone_number.whatsapp_verified',
          ],
          scopes: (schemas.Scope && schemas.Scope.enum) || [],
        };
      });
  }
  return cached;
}
