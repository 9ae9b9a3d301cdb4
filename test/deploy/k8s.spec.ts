import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { DEPLOYABLE_SERVICES, type DeployableService } from './deployable-services';
import { renderKustomization, type KubernetesObject } from './kustomize';

const ROOT = resolve(__dirname, '../..');
const IMAGE = 'ghcr.io/fireline/fireline';
/** `KafkaTransport`'s default `shutdownTimeoutMs` (libs/messaging/src/kafka/kafka.transport.ts). */
const KAFKA_SHUTDOWN_TIMEOUT_SECONDS = 30;
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'];

type Target = 'base' | 'dev' | 'prod';
const TARGETS: Record<Target, { directory: string; namespace?: string; replicationFactor: number }> = {
  base: { directory: 'k8s/base', replicationFactor: 3 },
  dev: { directory: 'k8s/overlays/dev', namespace: 'fireline-dev', replicationFactor: 1 },
  prod: { directory: 'k8s/overlays/prod', namespace: 'fireline', replicationFactor: 3 },
};

interface DeployedService extends DeployableService {
  /** `protocol/port` the service may open connections to. */
  egress: string[];
}

const DATABASE_AND_KAFKA = ['TCP/53', 'UDP/53', 'TCP/5432', 'TCP/9092'];
/** Webhook and Slack deliveries leave notification-service on 443; nothing else talks to the internet. */
const SERVICES: DeployedService[] = DEPLOYABLE_SERVICES.map((service) => ({
  ...service,
  egress: service.name === 'notification-service' ? [...DATABASE_AND_KAFKA, 'TCP/443'] : DATABASE_AND_KAFKA,
}));

/** The kubernetes-models class per apiVersion and kind: every kind the manifests may hold. */
const MODELS: Record<string, { module: string; model: new (data: never) => { validate(): void } }> = {
  'v1/Namespace': { module: 'kubernetes-models/v1/Namespace', model: Namespace },
  'v1/ConfigMap': { module: 'kubernetes-models/v1/ConfigMap', model: ConfigMap },
  'v1/Secret': { module: 'kubernetes-models/v1/Secret', model: Secret },
  'v1/Service': { module: 'kubernetes-models/v1/Service', model: Service },
  'v1/ServiceAccount': { module: 'kubernetes-models/v1/ServiceAccount', model: ServiceAccount },
  'apps/v1/Deployment': { module: 'kubernetes-models/apps/v1/Deployment', model: Deployment },
  'batch/v1/Job': { module: 'kubernetes-models/batch/v1/Job', model: Job },
  'policy/v1/PodDisruptionBudget': { module: 'kubernetes-models/policy/v1/PodDisruptionBudget', model: PodDisruptionBudget },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    module: 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
    model: HorizontalPodAutoscaler,
  },
  'networking.k8s.io/v1/NetworkPolicy': { module: 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy', model: NetworkPolicy },
};

const renders = new Map<string, KubernetesObject[]>();
/** `kubectl kustomize <directory>`, by the test-only subset in ./kustomize.ts; rendered once per run. */
function render(directory: string): KubernetesObject[] {
  if (!renders.has(directory)) renders.set(directory, renderKustomization(join(ROOT, directory)));
  return renders.get(directory)!;
}

function ofKind<T>(objects: KubernetesObject[], kind: string): T[] {
  return objects.filter((object) => object.kind === kind) as unknown as T[];
}

function named<T extends { metadata?: { name?: string } }>(objects: T[], name: string, what: string): T {
  const found = objects.filter((object) => object.metadata?.name === name);
  if (found.length !== 1) throw new Error(`expected one ${what} named ${name}, found ${found.length}`);
  return found[0];
}

describe('k8s/ (Kustomize base and overlays)', () => {
  describe.each(Object.keys(TARGETS) as Target[])('%s', (target) => {
    const { directory, namespace, replicationFactor } = TARGETS[target];
    const objects = () => render(directory);
    const deployments = () => ofKind<IDeployment>(objects(), 'Deployment');
    const deploymentOf = (service: DeployedService) => named(deployments(), service.name, 'Deployment');
    /** A Secret of the render, or for base and prod (which leave Secrets to a secret manager) the example one. */
    const lookup = (kind: 'ConfigMap' | 'Secret', name: string): KubernetesObject => {
      const found = objects().filter((object) => object.kind === kind && object.metadata.name === name);
      if (found.length === 0 && kind === 'Secret')
        found.push(...render('k8s/secrets-example').filter((object) => object.kind === kind && object.metadata.name === name));
      if (found.length !== 1) throw new Error(`${kind} ${name}: expected one, found ${found.length}`);
      return found[0];
    };

    it('renders only kinds it knows, each valid against the Kubernetes API schema', () => {
      const problems: string[] = [];
      for (const object of objects()) {
        const entry = MODELS[`${object.apiVersion}/${object.kind}`];
        if (!entry) {
          problems.push(`${object.apiVersion} ${object.kind}/${object.metadata.name}: no model`);
          continue;
        }
        try {
          new entry.model(structuredClone(object) as never).validate();
        } catch (error) {
          problems.push(`${object.kind}/${object.metadata.name}: ${(error as Error).message}`);
        }
      }
      expect(problems).toEqual([]);
      expect(objects().length).toBeGreaterThan(20);
    });

    it('renders no field the Kubernetes API does not define', () => {
      expect(objects().flatMap((object) => unknownFields(object))).toEqual([]);
    });

    it(`puts every namespaced object in ${namespace ?? 'no namespace (the overlay chooses)'}`, () => {
      const namespaces = ofKind<KubernetesObject>(objects(), 'Namespace');
      if (namespace === undefined) {
        expect(namespaces).toEqual([]);
        for (const object of objects()) expect(object.metadata.namespace).toBeUndefined();
        return;
      }
      expect(namespaces.map((object) => object.metadata.name)).toEqual([namespace]);
      expect(namespaces[0].metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
      for (const object of objects().filter((object) => object.kind !== 'Namespace'))
        expect(`${object.kind}/${object.metadata.name} in ${object.metadata.namespace}`).toBe(
          `${object.kind}/${object.metadata.name} in ${namespace}`,
        );
    });

    it('labels every object and pod template with app.kubernetes.io/name and part-of', () => {
      for (const object of objects().filter((object) => object.kind !== 'Namespace')) {
        expect(object.metadata.labels).toMatchObject({
          'app.kubernetes.io/name': expect.any(String),
          'app.kubernetes.io/part-of': 'fireline',
        });
      }
      for (const template of podTemplates(objects()))
        expect(template.metadata?.labels).toMatchObject({
          'app.kubernetes.io/name': expect.any(String),
          'app.kubernetes.io/part-of': 'fireline',
        });
    });

    it('pins every container image to a tag or digest, never latest', () => {
      const images = podTemplates(objects()).flatMap((template) => containersOf(template.spec!).map((container) => container.image));
      expect(images.length).toBeGreaterThanOrEqual(7);
      for (const image of images)
        expect(image).toMatch(new RegExp(`^${IMAGE.replace(/\./g, '\\.')}(:(?!latest$)[\\w][\\w.-]{0,127}|@sha256:[0-9a-f]{64})$`));
    });

    it.each(SERVICES.map((service) => [service.name, service] as const))(
      'gives %s an environment its own config loader accepts, on the ports the manifests use',
      (_name, service) => {
        const deployment = deploymentOf(service);
        const podSpec = deployment.spec!.template.spec!;
        expect(podSpec.containers).toHaveLength(1);
        const container = podSpec.containers[0];
        const env = environmentOf(container, lookup);

        expect(Object.keys(env).filter((key) => !service.envKeys.includes(key))).toEqual([]);
        const config = service.loadStandalone(env);
        const port = config.http.port;
        expect(port).toBe(namedPort(container, 'http'));
        expect(config.service.database.migrationsRun).toBe(false);
        expect(config.messaging).toMatchObject({ transport: 'kafka', kafka: { topics: { replicationFactor } } });

        const probes = [container.startupProbe, container.readinessProbe, container.livenessProbe];
        for (const probe of probes) expect(resolvePort(container, probe?.httpGet?.port)).toBe(port);
        const selected = ofKind<IService>(objects(), 'Service').filter((svc) =>
          selects(svc.spec?.selector, deployment.spec!.template.metadata?.labels),
        );
        expect(selected.map((svc) => svc.metadata?.name)).toEqual([service.name]);
        expect(selected[0].spec?.type ?? 'ClusterIP').toBe('ClusterIP');
        expect(selected[0].spec?.ports?.map((servicePort) => resolvePort(container, servicePort.targetPort ?? servicePort.port))).toEqual([
          port,
        ]);
        expect(deployment.spec!.template.metadata?.annotations).toEqual({
          'prometheus.io/scrape': 'true',
          'prometheus.io/port': String(port),
          'prometheus.io/path': '/metrics',
        });

        expect(container.command).toEqual(['node', entryFile(service.name)]);
      },
    );

    it('runs every container, init containers and the Job included, non-root on a read-only root filesystem without privileges', () => {
      const templates = podTemplates(objects());
      expect(templates).toHaveLength(4);
      for (const template of templates) {
        const pod = template.spec!;
        const where = template.metadata?.labels?.['app.kubernetes.io/name'];
        expect({ where, automount: pod.automountServiceAccountToken }).toEqual({ where, automount: false });
        const account = named(ofKind<IServiceAccount>(objects(), 'ServiceAccount'), pod.serviceAccountName ?? 'default', 'ServiceAccount');
        expect(account.automountServiceAccountToken).toBe(false);
        for (const container of containersOf(pod)) {
          const context = container.securityContext ?? {};
          const effective = {
            where: `${where}/${container.name}`,
            runAsNonRoot: context.runAsNonRoot ?? pod.securityContext?.runAsNonRoot,
            runAsUser: context.runAsUser ?? pod.securityContext?.runAsUser,
            readOnlyRootFilesystem: context.readOnlyRootFilesystem,
            allowPrivilegeEscalation: context.allowPrivilegeEscalation,
            privileged: context.privileged ?? false,
            capabilities: context.capabilities,
            seccompProfile: context.seccompProfile ?? pod.securityContext?.seccompProfile,
          };
          expect(effective).toEqual({
            where: `${where}/${container.name}`,
            runAsNonRoot: true,
            runAsUser: expect.any(Number),
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            privileged: false,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          });
          expect(effective.runAsUser).toBeGreaterThan(0);
          const tmp = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
          expect(pod.volumes?.find((volume) => volume.name === tmp?.name)?.emptyDir).toBeDefined();
          expect(resourceProblems(container)).toEqual([]);
        }
      }
    });

    it.each(SERVICES.map((service) => [service.name, service] as const))(
      'probes %s on /health/ready and /health/live and stops it within its grace period',
      (_name, service) => {
        const pod = deploymentOf(service).spec!.template.spec!;
        const container = pod.containers[0];
        expect(container.readinessProbe?.httpGet?.path).toBe('/health/ready');
        expect(container.livenessProbe?.httpGet?.path).toBe('/health/live');
        expect(container.startupProbe?.httpGet?.path).toBe('/health/live');
        const preStopSeconds = container.lifecycle?.preStop?.sleep?.seconds ?? 0;
        expect(preStopSeconds).toBeGreaterThan(0);
        expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStopSeconds + KAFKA_SHUTDOWN_TIMEOUT_SECONDS);
      },
    );

    it.each(SERVICES.map((service) => [service.name, service] as const))(
      'gives %s a PodDisruptionBudget that lets a drain proceed and an HPA on CPU',
      (_name, service) => {
        const deployment = deploymentOf(service);
        const podLabels = deployment.spec!.template.metadata!.labels!;
        expect(selects(deployment.spec!.selector, podLabels)).toBe(true);
        const others = deployments().filter((other) => other !== deployment);

        const budgets = ofKind<IPodDisruptionBudget>(objects(), 'PodDisruptionBudget').filter((budget) =>
          selects(budget.spec?.selector, podLabels),
        );
        expect(budgets).toHaveLength(1);
        const budget = budgets[0].spec!;
        for (const other of others) expect(selects(budget.selector, other.spec!.template.metadata!.labels!)).toBe(false);

        const autoscalers = ofKind<IHorizontalPodAutoscaler>(objects(), 'HorizontalPodAutoscaler').filter(
          (hpa) =>
            hpa.spec?.scaleTargetRef.kind === 'Deployment' &&
            hpa.spec.scaleTargetRef.apiVersion === 'apps/v1' &&
            hpa.spec.scaleTargetRef.name === service.name,
        );
        expect(autoscalers).toHaveLength(1);
        const hpa = autoscalers[0].spec!;
        expect(hpa.metrics?.map((metric) => metric.resource?.name)).toContain('cpu');
        expect(hpa.minReplicas).toBeLessThanOrEqual(hpa.maxReplicas);

        // The fewest pods there will be: a drain must still be able to evict one of them.
        const fewest = Math.min(deployment.spec!.replicas ?? 1, hpa.minReplicas ?? 1);
        if (budget.minAvailable !== undefined) {
          expect(typeof budget.minAvailable).toBe('number');
          expect(budget.minAvailable).toBeLessThan(fewest);
        } else {
          expect(budget.maxUnavailable).toBeGreaterThanOrEqual(1);
        }
      },
    );

    it('denies all traffic by default, then lets each service receive on its own port and reach only DNS, PostgreSQL, Kafka (and HTTPS for notifications)', () => {
      const policies = ofKind<INetworkPolicy>(objects(), 'NetworkPolicy');
      const defaultDeny = policies.filter(
        (policy) => Object.keys(policy.spec?.podSelector?.matchLabels ?? {}).length === 0 && !policy.spec?.podSelector?.matchExpressions,
      );
      expect(defaultDeny.map((policy) => policy.spec)).toEqual([{ podSelector: {}, policyTypes: ['Ingress', 'Egress'] }]);

      for (const service of SERVICES) {
        const template = deploymentOf(service).spec!.template;
        const port = namedPort(template.spec!.containers[0], 'http');
        const traffic = allowedTraffic(policies, template.metadata!.labels!);
        expect({ service: service.name, egress: traffic.egressPorts }).toEqual({
          service: service.name,
          egress: [...service.egress].sort(),
        });
        expect({ service: service.name, ingress: traffic.ingressPorts }).toEqual({ service: service.name, ingress: [`TCP/${port}`] });
        expect(traffic.ingressFromNamespaces).toContain('monitoring');
        expect(traffic.problems).toEqual([]);
      }

      const job = ofKind<IJob>(objects(), 'Job')[0];
      const traffic = allowedTraffic(policies, job.spec!.template.metadata!.labels!);
      expect(traffic).toEqual({ egressPorts: ['TCP/53', 'TCP/5432', 'UDP/53'], ingressPorts: [], ingressFromNamespaces: [], problems: [] });
    });

    it('migrates the three databases in one Job, one init container per service, with what each migrate.js reads', () => {
      const jobs = ofKind<IJob>(objects(), 'Job');
      expect(jobs).toHaveLength(1);
      const pod = jobs[0].spec!.template.spec!;
      expect(['Never', 'OnFailure']).toContain(pod.restartPolicy);
      expect(jobs[0].spec!.backoffLimit).toBeGreaterThan(0);
      expect(pod.initContainers?.map((container) => container.command)).toEqual(
        SERVICES.map((service) => ['node', entryFile(service.name).replace(/\/main\.js$/, '/migrate.js')]),
      );
      for (const service of SERVICES) expect(existsSync(join(ROOT, 'apps', service.name, 'src', 'migrate.ts'))).toBe(true);
      for (const [index, service] of SERVICES.entries()) {
        const env = environmentOf(pod.initContainers![index], lookup);
        expect(Object.keys(env).filter((key) => !service.envKeys.includes(key))).toEqual([]);
        expect(service.loadDatabaseUrl(env)).toMatch(/^postgres(ql)?:\/\//);
      }
      expect(pod.containers.flatMap((container) => container.command ?? []).join(' ')).not.toContain('migrate.js');
    });

    it('keeps credentials in Secrets only: no URL with a password in ConfigMaps or plain env values', () => {
      const plain = [
        ...ofKind<IConfigMap>(objects(), 'ConfigMap').flatMap((configMap) => Object.values(configMap.data ?? {})),
        ...podTemplates(objects()).flatMap((template) =>
          containersOf(template.spec!).flatMap((container) => (container.env ?? []).map((variable) => variable.value ?? '')),
        ),
      ];
      expect(plain.filter((value) => /:\/\/[^/\s:@]+:[^/\s@]+@/.test(value))).toEqual([]);
    });
  });

  describe('dev overlay', () => {
    const objects = () => render(TARGETS.dev.directory);

    it('runs one replica of each service and lets the HPA go down to one', () => {
      expect(
        ofKind<IDeployment>(objects(), 'Deployment').map((deployment) => [deployment.metadata?.name, deployment.spec?.replicas]),
      ).toEqual(SERVICES.map((service) => [service.name, 1]));
      for (const hpa of ofKind<IHorizontalPodAutoscaler>(objects(), 'HorizontalPodAutoscaler')) expect(hpa.spec?.minReplicas).toBe(1);
    });

    it('includes the placeholder database Secrets, and encryption-key Secrets for the services that store secrets', () => {
      expect(ofKind<ISecret>(objects(), 'Secret').map((secret) => secret.metadata?.name)).toEqual([
        ...SERVICES.map((service) => `${service.name}-database`),
        'incident-service-encryption',
        'notification-service-encryption',
      ]);
    });
  });

  describe('prod overlay', () => {
    const objects = () => render(TARGETS.prod.directory);

    it('runs at least two replicas of each service (HPA minimum included), spread one per node at most', () => {
      for (const deployment of ofKind<IDeployment>(objects(), 'Deployment')) {
        expect(deployment.spec?.replicas).toBeGreaterThanOrEqual(2);
        const labels = deployment.spec!.template.metadata!.labels!;
        const spread = deployment.spec!.template.spec!.topologySpreadConstraints ?? [];
        expect(
          spread.filter(
            (constraint) =>
              constraint.topologyKey === 'kubernetes.io/hostname' &&
              constraint.whenUnsatisfiable === 'DoNotSchedule' &&
              constraint.maxSkew === 1 &&
              selects(constraint.labelSelector, labels),
          ),
        ).toHaveLength(1);
      }
      for (const hpa of ofKind<IHorizontalPodAutoscaler>(objects(), 'HorizontalPodAutoscaler'))
        expect(hpa.spec?.minReplicas).toBeGreaterThanOrEqual(2);
    });

    it('keeps capacity during a drain with a minAvailable budget', () => {
      for (const budget of ofKind<IPodDisruptionBudget>(objects(), 'PodDisruptionBudget')) {
        expect(budget.spec?.maxUnavailable).toBeUndefined();
        expect(budget.spec?.minAvailable).toBeGreaterThanOrEqual(2);
      }
    });

    it('ships no Secret: each one its pods reference comes from the secret manager, named and keyed as in k8s/secrets-example', () => {
      expect(ofKind<ISecret>(objects(), 'Secret')).toEqual([]);
      const referenced = new Set(
        podTemplates(objects()).flatMap((template) =>
          containersOf(template.spec!).flatMap((container) =>
            (container.envFrom ?? []).map((source) => source.secretRef?.name).filter((name) => name !== undefined),
          ),
        ),
      );
      const examples = ofKind<ISecret>(render('k8s/secrets-example'), 'Secret').map((secret) => secret.metadata?.name);
      expect([...referenced].sort()).toEqual([...examples].sort());
      expect(readFileSync(join(ROOT, 'k8s/README.md'), 'utf8')).toMatch(/SealedSecrets|External Secrets/);
    });
  });

  it('has only placeholder values in every Secret under k8s/', () => {
    const secrets = yamlFilesUnder(join(ROOT, 'k8s'))
      .flatMap((file) =>
        parseAllDocuments(readFileSync(file, 'utf8')).map((document) => ({ file, value: document.toJS() as ISecret | null })),
      )
      .filter(({ value }) => value?.kind === 'Secret');
    expect(secrets.length).toBeGreaterThanOrEqual(3);
    for (const { file, value } of secrets) {
      const values = [
        ...Object.values(value!.stringData ?? {}),
        ...Object.values(value!.data ?? {}).map((encoded) => Buffer.from(encoded, 'base64').toString('utf8')),
      ];
      expect(values.length).toBeGreaterThan(0);
      for (const secretValue of values) {
        const where = `${relative(ROOT, file)} ${value!.metadata?.name}`;
        expect({ where, placeholder: secretValue.includes('CHANGE_ME') }).toEqual({ where, placeholder: true });
        if (/^[a-z][a-z0-9+.-]*:\/\//i.test(secretValue))
          expect({ where, password: decodeURIComponent(new URL(secretValue).password) }).toEqual({ where, password: 'CHANGE_ME' });
      }
    }
  });

  describe('the unknown-field check', () => {
    it('reports a misspelt field where kubernetes-models validate() lets it pass', () => {
      const deployment = structuredClone(
        render(TARGETS.prod.directory).find((object) => object.kind === 'Deployment')!,
      ) as unknown as IDeployment;
      const container = deployment.spec!.template.spec!.containers[0] as IContainer & Record<string, unknown>;
      (container.securityContext as Record<string, unknown>).readOnlyRootFilesytem = true;
      container.livenessprobe = container.livenessProbe;
      (deployment.spec!.template.metadata as Record<string, unknown>).label = {};

      expect(() => new Deployment(deployment).validate()).not.toThrow();
      expect(unknownFields(deployment as unknown as KubernetesObject).sort()).toEqual([
        'Deployment/incident-service: .spec.template.metadata: unknown field "label"',
        'Deployment/incident-service: .spec.template.spec.containers[0].securityContext: unknown field "readOnlyRootFilesytem"',
        'Deployment/incident-service: .spec.template.spec.containers[0]: unknown field "livenessprobe"',
      ]);
    });
  });

  describe(renderKustomization.name, () => {
    let scratch: string;
    beforeAll(() => {
      scratch = mkdtempSync(join(tmpdir(), 'fireline-kustomize-'));
    });
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));

    const kustomization = (name: string, text: string, files: Record<string, string> = {}): string => {
      const directory = join(scratch, name);
      mkdirSync(directory);
      writeFileSync(join(directory, 'kustomization.yaml'), text);
      for (const [file, content] of Object.entries(files)) writeFileSync(join(directory, file), content);
      return directory;
    };
    const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  A: "1"\n';

    it('rejects a kustomization field it does not implement', () => {
      const directory = kustomization('unknown-field', 'resources: [config-map.yaml]\ncommonAnnotations:\n  team: fireline\n', {
        'config-map.yaml': configMap,
      });
      expect(() => renderKustomization(directory)).toThrow(/commonAnnotations not supported by this kustomize subset/);
    });

    it('rejects a JSON6902 patch whose test operation fails', () => {
      const directory = kustomization(
        'failed-test',
        'resources: [config-map.yaml]\npatches:\n  - target: { kind: ConfigMap }\n    patch: |-\n      - op: test\n        path: /data/A\n        value: "2"\n',
        {
          'config-map.yaml': configMap,
        },
      );
      expect(() => renderKustomization(directory)).toThrow(/test failed/);
    });

    it('rejects a patch that matches nothing', () => {
      const directory = kustomization(
        'no-target',
        'resources: [config-map.yaml]\npatches:\n  - target: { kind: Deployment }\n    patch: |-\n      - op: remove\n        path: /spec\n',
        {
          'config-map.yaml': configMap,
        },
      );
      expect(() => renderKustomization(directory)).toThrow(/matches no object/);
    });
  });
});

/** Pod templates of every workload (Deployments, Jobs). */
function podTemplates(objects: KubernetesObject[]): IPodTemplateSpec[] {
  return objects
    .filter((object) => object.kind === 'Deployment' || object.kind === 'Job')
    .map((object) => (object as unknown as IDeployment | IJob).spec!.template);
}

function containersOf(pod: IPodSpec): IContainer[] {
  return [...(pod.initContainers ?? []), ...pod.containers];
}

/** The nest-cli.json entry file of a project as `tsc` writes it (apps/tsconfig.build.json: rootDir `..`, outDir `../dist`). */
function entryFile(project: string): string {
  const nest = JSON.parse(readFileSync(join(ROOT, 'nest-cli.json'), 'utf8')) as {
    projects: Record<string, { entryFile: string; compilerOptions: { tsConfigPath: string } }>;
  };
  const { entryFile: entry, compilerOptions } = nest.projects[project];
  const tsconfigPath = join(ROOT, compilerOptions.tsConfigPath);
  const build = JSON.parse(readFileSync(tsconfigPath, 'utf8')) as { compilerOptions: { rootDir: string; outDir: string } };
  const base = join(tsconfigPath, '..');
  if (resolve(base, build.compilerOptions.rootDir) !== ROOT)
    throw new Error(`${compilerOptions.tsConfigPath}: rootDir is no longer the repository root; update entryFile()`);
  return `${relative(ROOT, resolve(base, build.compilerOptions.outDir))}/${entry}.js`;
}

/**
 * The environment a container gets: `envFrom` sources in order, then `env` (which wins), as the kubelet
 * builds it. Secret values are decoded. References must resolve and must not be optional.
 */
function environmentOf(
  container: IContainer,
  lookup: (kind: 'ConfigMap' | 'Secret', name: string) => KubernetesObject,
): Record<string, string> {
  const env: Record<string, string> = {};
  const secretValues = (secret: ISecret): Record<string, string> => ({
    ...Object.fromEntries(Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')])),
    ...secret.stringData,
  });
  for (const source of container.envFrom ?? []) {
    if (source.prefix !== undefined) throw new Error(`${container.name}: envFrom prefix is not expected`);
    if (source.configMapRef && source.configMapRef.optional !== true)
      Object.assign(env, (lookup('ConfigMap', source.configMapRef.name!) as unknown as IConfigMap).data);
    else if (source.secretRef && source.secretRef.optional !== true)
      Object.assign(env, secretValues(lookup('Secret', source.secretRef.name!) as unknown as ISecret));
    else throw new Error(`${container.name}: envFrom must reference a ConfigMap or Secret, not optionally`);
  }
  for (const variable of container.env ?? []) {
    const { configMapKeyRef, secretKeyRef } = variable.valueFrom ?? {};
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else if (configMapKeyRef)
      env[variable.name] = (lookup('ConfigMap', configMapKeyRef.name!) as unknown as IConfigMap).data![configMapKeyRef.key];
    else if (secretKeyRef) env[variable.name] = secretValues(lookup('Secret', secretKeyRef.name!) as unknown as ISecret)[secretKeyRef.key];
    else throw new Error(`${container.name}: env ${variable.name} has no value this test can resolve`);
  }
  return env;
}

function namedPort(container: IContainer, name: string): number {
  const port = container.ports?.find((candidate) => candidate.name === name);
  if (!port) throw new Error(`${container.name}: no port named ${name}`);
  return port.containerPort;
}

function resolvePort(container: IContainer, port: number | string | undefined): number | undefined {
  return typeof port === 'string' ? namedPort(container, port) : port;
}

/** `matchLabels` only: `matchExpressions` would need a real evaluator and the manifests do not use it. */
function selects(
  selector: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] } | Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!selector) return false;
  if ('matchExpressions' in selector && selector.matchExpressions) throw new Error('matchExpressions are not evaluated by this test');
  const matchLabels = ('matchLabels' in selector ? selector.matchLabels : selector) as Record<string, string> | undefined;
  return Object.entries(matchLabels ?? {}).every(([key, value]) => labels?.[key] === value);
}

/**
 * What the NetworkPolicies selecting pods with `labels` allow, as `protocol/port` lists, and what is
 * wrong with them: a rule without ports (all ports), a DNS rule to anything but kube-dns, an HTTPS rule
 * that reaches private addresses, ingress from a peer other than a namespace.
 */
function allowedTraffic(
  policies: INetworkPolicy[],
  labels: Record<string, string>,
): { egressPorts: string[]; ingressPorts: string[]; ingressFromNamespaces: string[]; problems: string[] } {
  const selecting = policies.filter((policy) => selects(policy.spec?.podSelector, labels));
  const problems: string[] = [];
  const egress = new Set<string>();
  const ingress = new Set<string>();
  const namespaces = new Set<string>();
  const portsOf = (where: string, ports: { protocol?: string; port?: number | string; endPort?: number }[] | undefined): string[] => {
    if (!ports || ports.length === 0) {
      problems.push(`${where}: a rule without ports allows every port`);
      return [];
    }
    return ports.map((port) => {
      if (typeof port.port !== 'number' || port.endPort !== undefined) problems.push(`${where}: ports must be single numbers`);
      return `${port.protocol ?? 'TCP'}/${port.port}`;
    });
  };
  for (const policy of selecting) {
    const where = `NetworkPolicy/${policy.metadata?.name}`;
    const types = policy.spec?.policyTypes ?? [];
    if (!types.includes('Egress') && policy.spec?.egress) problems.push(`${where}: egress rules without the Egress policy type`);
    for (const rule of policy.spec?.egress ?? []) {
      const ports = portsOf(where, rule.ports);
      ports.forEach((port) => egress.add(port));
      const peers = rule.to ?? [];
      if (ports.some((port) => port.endsWith('/53')) && (peers.length === 0 || !peers.every(isKubeDns)))
        problems.push(`${where}: DNS must go to kube-dns only`);
      if (
        ports.includes('TCP/443') &&
        (peers.length === 0 || !peers.every((peer) => PRIVATE_RANGES.every((range) => peer.ipBlock?.except?.includes(range))))
      ) {
        problems.push(`${where}: HTTPS must exclude ${PRIVATE_RANGES.join(', ')}`);
      }
    }
    for (const rule of policy.spec?.ingress ?? []) {
      portsOf(where, rule.ports).forEach((port) => ingress.add(port));
      for (const peer of rule.from ?? []) {
        const name = peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];
        if (name && !peer.podSelector && !peer.ipBlock) namespaces.add(name);
        else problems.push(`${where}: ingress from ${JSON.stringify(peer)} (expected a namespace by name)`);
      }
    }
  }
  return { egressPorts: [...egress].sort(), ingressPorts: [...ingress].sort(), ingressFromNamespaces: [...namespaces].sort(), problems };
}

function isKubeDns(peer: INetworkPolicyPeer): boolean {
  return (
    peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'kube-system' &&
    peer.podSelector?.matchLabels?.['k8s-app'] === 'kube-dns' &&
    !peer.ipBlock
  );
}

/** Requests and limits for CPU and memory, requests not above limits. */
function resourceProblems(container: IContainer): string[] {
  const { requests = {}, limits = {} } = container.resources ?? {};
  const problems: string[] = [];
  for (const resource of ['cpu', 'memory']) {
    const request = requests[resource];
    const limit = limits[resource];
    if (request === undefined || limit === undefined) problems.push(`${container.name}: ${resource} request and limit required`);
    else if (quantity(request) > quantity(limit)) problems.push(`${container.name}: ${resource} request ${request} above limit ${limit}`);
  }
  return problems;
}

/** A Kubernetes resource quantity (`500m`, `1`, `256Mi`, `1G`) as a number. */
function quantity(value: number | string): number {
  const match = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(String(value));
  if (!match) throw new Error(`unsupported quantity ${value}`);
  const factors: Record<string, number> = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
  return Number(match[1]) * (match[2] ? factors[match[2]] : 1);
}

function yamlFilesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return yamlFilesUnder(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

let modelTypes: { checker: ts.TypeChecker; types: Map<string, ts.Type> } | undefined;

/**
 * Fields of `object` that its Kubernetes type does not define, as `Kind/name: .path: unknown field "x"`.
 * kubernetes-models' `validate()` (compiled JSON-schema validators) accepts unknown properties, while the
 * API server (strict field validation) and kubectl reject them. The same package ships TypeScript
 * declarations of every API type (e.g. `IContainer` in kubernetes-models/v1/Container.d.ts), generated
 * from the same OpenAPI definitions: this walks the object along those types with the TypeScript checker
 * and reports every key that is neither a declared property nor covered by an index signature (labels,
 * annotations, ConfigMap data, resource maps).
 */
function unknownFields(object: KubernetesObject): string[] {
  const entry = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!entry) return [`${object.kind}/${object.metadata.name}: no model`];
  modelTypes ??= loadModelTypes();
  const { checker, types } = modelTypes;
  const problems: string[] = [];
  const walk = (value: unknown, type: ts.Type, path: string): void => {
    if (value === null || typeof value !== 'object') return;
    // Optional properties are `T | undefined`; IntOrString and Quantity are `number | string`.
    const candidates = (type.isUnion() ? type.types : [type]).filter(
      (candidate) => !(candidate.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)),
    );
    if (Array.isArray(value)) {
      const array = candidates.find((candidate) => checker.isArrayType(candidate));
      if (!array) {
        problems.push(`${path}: a list where the API expects ${checker.typeToString(type)}`);
        return;
      }
      const [element] = checker.getTypeArguments(array as ts.TypeReference);
      value.forEach((item, index) => walk(item, element, `${path}[${index}]`));
      return;
    }
    const objectTypes = candidates.filter((candidate) => candidate.flags & ts.TypeFlags.Object && !checker.isArrayType(candidate));
    if (objectTypes.length !== 1) {
      problems.push(`${path}: an object where the API expects ${checker.typeToString(type)}`);
      return;
    }
    const [objectType] = objectTypes;
    const index = checker.getIndexInfoOfType(objectType, ts.IndexKind.String);
    for (const [key, child] of Object.entries(value)) {
      const property = objectType.getProperty(key);
      if (property) walk(child, checker.getTypeOfSymbol(property), `${path}.${key}`);
      else if (index) walk(child, index.type, `${path}.${key}`);
      else problems.push(`${path || '.'}: unknown field "${key}"`);
    }
  };
  walk(object, types.get(entry.module)!, '');
  return problems.map((problem) => `${object.kind}/${object.metadata.name}: ${problem}`);
}

/** One TypeScript program over the declarations of the kinds in `MODELS` (about a second). */
function loadModelTypes(): { checker: ts.TypeChecker; types: Map<string, ts.Type> } {
  const modules = Object.values(MODELS).map((entry) => entry.module);
  const fileName = join(ROOT, 'test/deploy/__kubernetes-model-types__.ts');
  const source = modules
    .map(
      (module, index) => `import type { I${module.split('/').pop()} as T${index} } from '${module}';\nexport type M${index} = T${index};`,
    )
    .join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, language, ...rest) =>
    name === fileName ? ts.createSourceFile(name, source, language) : getSourceFile.call(host, name, language, ...rest);
  host.fileExists = (name) => name === fileName || fileExists.call(host, name);
  host.readFile = (name) => (name === fileName ? source : readFile.call(host, name));
  const program = ts.createProgram([fileName], options, host);
  const diagnostics = ts.getPreEmitDiagnostics(program);
  if (diagnostics.length > 0)
    throw new Error(
      ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (name) => name, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' }),
    );
  const checker = program.getTypeChecker();
  const exported = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(fileName)!)!);
  const types = new Map(
    modules.map((module, index) => [module, checker.getDeclaredTypeOfSymbol(exported.find((symbol) => symbol.name === `M${index}`)!)]),
  );
  return { checker, types };
}
