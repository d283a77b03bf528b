// An allocator whose upstream requests go through a deliberately wrong
// memory resource first (test code only). The resource is held by a base
// listed before the allocator, so it is built first and destroyed last:
// the allocator gives its blocks back through it when it is torn down.
#pragma once

#include <memory_resource>

#include "allocator/pool_allocator.h"

namespace poolcheck::broken {

template <class Resource>
struct ResourceHolder {
  Resource resource;
};

// Resource is constructed from the upstream the allocator was given.
template <class Resource, class Allocator = BasicPoolAllocator<>>
class OnResource : private ResourceHolder<Resource>, public Allocator {
 public:
  explicit OnResource(PoolOptions options)
      : ResourceHolder<Resource>{Resource(options.upstream)},
        Allocator(on_upstream(options, &this->resource)) {}
};

}  // namespace poolcheck::broken
