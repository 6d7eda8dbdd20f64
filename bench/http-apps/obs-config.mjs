// The obs config shared by the obs-metrics and obs-full variants.
export const OBS_CONFIG = {
  service: { name: 'bench-api' },
  slos: {
    availability: { objective: 99.9, sli: { http: {} } },
    latency: { objective: 99, sli: { httpLatency: { threshold: '250ms' } } },
  },
};
