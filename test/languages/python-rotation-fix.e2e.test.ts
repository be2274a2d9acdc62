import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';

/**
 * The rotation fix of dynamodb-session-rotation-not-atomic, run: the expected fixed text of the rule's
 * fixture (`boto3_table_fix.fixed.py`, which the fixture harness proves is what the fix writes) is
 * imported by Debian's Python with boto3 and rotates a session against DynamoDB Local.
 */
const PYTHON = '/usr/bin/python3';
const hasBoto3 = spawnSync(PYTHON, ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0;
const root = path.resolve(import.meta.dirname, '../..');
const temp = mkdtempSync(path.join(tmpdir(), 'fixate-rotation-fix-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const DRIVER = `
import importlib.util, json, sys
import boto3

endpoint, module_path, table_name = sys.argv[1:4]
original = boto3.resource
def local_resource(*args, **kwargs):
    return original(*args, endpoint_url=endpoint, region_name='us-east-1',
                    aws_access_key_id='fixatetest', aws_secret_access_key='fixatetest', **kwargs)
boto3.resource = local_resource

client = local_resource('dynamodb').meta.client
client.create_table(TableName=table_name, BillingMode='PAY_PER_REQUEST',
                    KeySchema=[{'AttributeName': 'session_key', 'KeyType': 'HASH'}],
                    AttributeDefinitions=[{'AttributeName': 'session_key', 'AttributeType': 'S'}])
spec = importlib.util.spec_from_file_location('fixed', module_path)
fixed = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fixed)
fixed.table.put_item(Item={'session_key': 'planted', 'data': 'x', 'expires': 1})
new_key = fixed.rotate('planted', 'victim-data', 4102444800)
old = fixed.table.get_item(Key={'session_key': 'planted'}, ConsistentRead=True).get('Item')
new = fixed.table.get_item(Key={'session_key': new_key}, ConsistentRead=True).get('Item')
client.delete_table(TableName=table_name)
print(json.dumps({'old': old, 'new': {k: str(v) for k, v in (new or {}).items()}}))
`;

describe('the Python rotation fix, run against DynamoDB Local', () => {
  it.runIf(hasBoto3)('moves the session to the new key and removes the planted one in one transaction', () => {
    const table = `fixate-rotation-${randomUUID()}`;
    const fixed = readFileSync(
      path.join(root, 'rules/dynamodb-session-rotation-not-atomic/fixtures/boto3_table_fix.fixed.py'),
      'utf8',
    ).replace("Table('SessionStore')", `Table('${table}')`);
    const module = path.join(temp, 'fixed_rotation.py');
    writeFileSync(module, fixed);
    writeFileSync(path.join(temp, 'driver.py'), DRIVER);
    const output = execFileSync(PYTHON, [path.join(temp, 'driver.py'), inject('dynamoEndpoint'), module, table], {
      encoding: 'utf8',
    });
    const result = JSON.parse(output) as { old: unknown; new: Record<string, string> };
    expect(result.old).toBeNull();
    expect(result.new).toMatchObject({ data: 'victim-data', expires: '4102444800' });
  });
});
