import {
  to = vpce_gateway_load_balancer.inspection
  id = "vpce-0123456789abcdef0"
}
