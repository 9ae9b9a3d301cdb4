import { Injectable, type Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { API_KEY_STORE, type ApiKeyStore } from './api-key-store';

/**
 * Finds, for a controller, the `ApiKeyStore` its own service module provides (`API_KEY_STORE`): in
 * the platform each service checks keys against its own data, as it would alone. Controllers of a
 * module without one (the process's health and metrics) use the first store found.
 */
@Injectable()
export class ApiKeyStores {
  private byController: Map<Type, ApiKeyStore> | null = null;
  private fallback: ApiKeyStore | null = null;

  constructor(private readonly modules: ModulesContainer) {}

  forController(controller: Type): ApiKeyStore | null {
    if (!this.byController) this.index();
    return this.byController?.get(controller) ?? this.fallback;
  }

  private index(): void {
    const byController = new Map<Type, ApiKeyStore>();
    for (const module of this.modules.values()) {
      const store = module.providers.get(API_KEY_STORE)?.instance as ApiKeyStore | undefined;
      if (!store) continue;
      this.fallback ??= store;
      for (const wrapper of module.controllers.values()) if (wrapper.metatype) byController.set(wrapper.metatype as Type, store);
    }
    this.byController = byController;
  }
}
