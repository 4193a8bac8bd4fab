import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';
import { IKernelClient, IKernelSpecs, type IKernel } from '@jupyterlite/services';
import { TypeScriptKernel } from './kernel';

/**
 * The static site's TypeScript kernel, registered in JupyterLite under tslab's name, so that the lab's
 * notebooks (whose kernel is "tslab") open with it unchanged.
 */

const KERNEL_NAME = 'tslab';

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'tp5-noyau:kernel',
  description: 'Le noyau TypeScript du TP5, dans le navigateur',
  autoStart: true,
  requires: [IKernelSpecs, IKernelClient],
  activate: (_app: JupyterFrontEnd, kernelspecs: IKernelSpecs, client: IKernelClient) => {
    const siteUrl = PageConfig.getBaseUrl();
    const kernels = new Map<string, TypeScriptKernel>();
    kernelspecs.register({
      spec: {
        name: KERNEL_NAME,
        display_name: 'TypeScript',
        language: 'typescript',
        argv: [],
        resources: {},
      },
      create: async (options: IKernel.IOptions) => {
        const kernel = new TypeScriptKernel({ ...options, siteUrl });
        kernels.set(kernel.id, kernel);
        kernel.disposed.connect(() => kernels.delete(kernel.id));
        return kernel;
      },
    });
    // JupyterLite's interrupt only cancels the cells waiting in line; the running one is the kernel's to stop.
    const interruptQueued = client.interrupt.bind(client);
    client.interrupt = async (id: string) => {
      kernels.get(id)?.interrupt();
      await interruptQueued(id);
    };
  },
};

export default plugin;
