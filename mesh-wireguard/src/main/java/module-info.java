module io.nodemesh.wireguard {
    requires io.nodemesh.api;
    requires org.slf4j;
}
