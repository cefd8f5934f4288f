import {
  to = vpce_service_network.main
  id = "vpce-0123456789abcdef0"
}
