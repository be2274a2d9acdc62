import { boto3 } from './boto3.js';
import { django } from './django.js';
import type { PythonModel } from './python-model.js';
import { pythonSessionStores } from './python-session-stores.js';

/** The Python models; their keywords are the pre-filter of `.py` files. */
export const pythonModels: PythonModel[] = [django, boto3, pythonSessionStores];
