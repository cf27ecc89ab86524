// The shared editor's own checks of a manifest: YAML errors and missing fields at their place, and where
// a field the API server names (e.g. in an Invalid Status's causes) is in the text.
import { describe, expect, it } from 'vitest';
import { checkManifest, fieldRange } from '../../client/src/teach/manifest.ts';

const lineOf = (text: string, offset: number) => text.slice(0, offset).split('\n').length;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: web
        image: nginx
      - name: side
        image: busybox
`;

describe('manifest checks', () => {
  it('accepts a complete object and finds fields the API names, down to list items', () => {
    const { objects, problems } = checkManifest(DEPLOYMENT);
    expect(problems).toEqual([]);
    expect(objects).toHaveLength(1);
    const doc = objects[0]!.doc;
    const at = (field: string) => lineOf(DEPLOYMENT, fieldRange(doc, field)![0]);
    expect(at('spec.replicas')).toBe(6);
    expect(at('spec.template.spec.containers[1].image')).toBe(13);
    expect(at('spec.template.spec.containers[0].name')).toBe(10);
    // A field that is not in the text: the deepest part that is.
    expect(at('spec.template.spec.containers[1].ports[0].containerPort')).toBe(12);
  });

  it('puts a YAML syntax error at its line', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels: {x: 1\nspec: {}\n';
    const { problems } = checkManifest(text);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]!.message).toMatch(/^YAML: /);
    expect(lineOf(text, problems[0]!.from)).toBeGreaterThanOrEqual(5);
  });

  it('names missing apiVersion, kind and metadata.name, per document', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {a: b}\n---\nmetadata:\n  name: x\n';
    const { problems } = checkManifest(text);
    expect(problems.map((p) => p.message)).toEqual(['metadata.name is required', 'apiVersion is required', 'kind is required']);
    expect(lineOf(text, problems[0]!.from)).toBe(3);
    expect(lineOf(text, problems[1]!.from)).toBe(6);
  });

  it('ignores empty documents and refuses a document that is not a mapping', () => {
    expect(checkManifest('---\n---\n').problems).toEqual([]);
    expect(checkManifest('- a\n- b\n').problems[0]!.message).toMatch(/must be a mapping/);
  });
});
