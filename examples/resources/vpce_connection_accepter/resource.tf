# The service owner's side: accept the consumer's endpoint (its ID shared by the consumer).
resource "vpce_connection_accepter" "partner" {
  vpc_endpoint_service_id = "vpce-svc-0123456789abcdef0"
  vpc_endpoint_id         = "vpce-0fedcba9876543210"
}
