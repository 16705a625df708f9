#include "stores/store.h"

namespace stores {

const char* YieldSiteName(YieldSite site) {
  switch (site) {
    case YieldSite::kGetAfterPin:
      return "get:after-pin";
    case YieldSite::kIteratorAfterPin:
      return "iterator:after-pin";
    case YieldSite::kCompactionNewOutput:
      return "compaction:new-output";
  }
  return "?";
}

bool YieldSiteFromName(std::string_view name, YieldSite* site) {
  for (YieldSite s :
       {YieldSite::kGetAfterPin, YieldSite::kIteratorAfterPin, YieldSite::kCompactionNewOutput}) {
    if (name == YieldSiteName(s)) {
      *site = s;
      return true;
    }
  }
  return false;
}

}  // namespace stores
